package pluginkit

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/types/known/anypb"
)

// EncodeMeta builds ScalingAction.meta the way nomad-autoscaler does: an Any with an empty type_url whose
// value is a UTF-8 JSON object. A nil map means "no meta" and gives nil.
func EncodeMeta(meta map[string]interface{}) (*anypb.Any, error) {
	if meta == nil {
		return nil, nil
	}
	raw, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	return &anypb.Any{Value: raw}, nil
}

// DecodeMeta checks and decodes ScalingAction.meta. It must never be unpacked as a message: the type_url is
// empty by convention and the value is JSON.
func DecodeMeta(meta *anypb.Any) (map[string]interface{}, error) {
	if meta == nil {
		return nil, nil
	}
	if meta.GetTypeUrl() != "" {
		return nil, fmt.Errorf("meta.type_url must be empty, got %q", meta.GetTypeUrl())
	}
	var decoded map[string]interface{}
	if err := json.Unmarshal(meta.GetValue(), &decoded); err != nil {
		return nil, fmt.Errorf("meta.value is not a JSON object: %v", err)
	}
	return decoded, nil
}
